# Shared by scripts/run.sh and scripts/test.sh: install missing Debian packages, then
# configure and build (Release) into build/. Sourced, not run.
set -euo pipefail

MARLSIM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MARLSIM_BUILD="${MARLSIM_BUILD:-$MARLSIM_ROOT/build}"

# Everything the build, tests, benchmarks and analysis need, by Debian 12 package name.
MARLSIM_PACKAGES=(
  cmake make g++ pkg-config
  libopenmpi-dev openmpi-bin libeigen3-dev libhdf5-openmpi-dev zlib1g-dev
  catch2 libbenchmark-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libfmt-dev
  python3-numpy python3-h5py python3-matplotlib
  clang-format  # the formatting check (tests/style/check_format.sh)
)

# ensure_packages [EXTRA...]: the packages above plus EXTRA (e.g. clang for scripts/fuzz.sh).
ensure_packages() {
  local missing=()
  for pkg in "${MARLSIM_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    echo "marlsim: installing missing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "marlsim: missing Debian packages. Run this as root, then run this script again:" >&2
    echo "  sudo sh -c '$cmd'" >&2
    exit 1
  fi
}

build_marlsim() {
  local werror=OFF
  [ "${CI:-}" = "true" ] && werror=ON
  cmake -S "$MARLSIM_ROOT" -B "$MARLSIM_BUILD" -DCMAKE_BUILD_TYPE=Release -DMARLSIM_WERROR="$werror" >/dev/null
  cmake --build "$MARLSIM_BUILD" -j"$(nproc)"
}

# The ASan + UBSan build (clang, everything compiled with -fsanitize=fuzzer-no-link,address,undefined)
# that scripts/sanitize.sh (unit and MPI tests) and scripts/fuzz.sh (libFuzzer targets) share:
# CI compiles the library once for both. Both configure it here, identically, or the second
# script would recompile everything.
MARLSIM_ASAN_BUILD="${MARLSIM_ASAN_BUILD:-$MARLSIM_ROOT/build-asan}"
configure_asan_build() {  # configure_asan_build BUILD_DIR
  CC=clang CXX=clang++ cmake -S "$MARLSIM_ROOT" -B "$1" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMARLSIM_FUZZ=ON \
    -DMARLSIM_BUILD_TESTS=ON -DMARLSIM_BUILD_BENCHMARKS=OFF -DMARLSIM_WERROR="${MARLSIM_WERROR:-ON}" >/dev/null
}

source "$(dirname "${BASH_SOURCE[0]}")/mpi_env.sh"
MPIRUN=(mpirun --oversubscribe --bind-to none)
