#!/usr/bin/env bash
# Fails when a C++ file of the project differs from what clang-format makes of it with the
# project's .clang-format, and names the files (fix: clang-format -i FILE).
#   check_format.sh SOURCE_DIR [CLANG_FORMAT]
set -euo pipefail
src=${1:?usage: check_format.sh SOURCE_DIR [CLANG_FORMAT]}
fmt=${2:-clang-format}
cd "$src"
bad=()
while IFS= read -r -d '' f; do
  "$fmt" --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done < <(find engine agents workloads mpi cli tests benchmarks \( -name '*.cpp' -o -name '*.hpp' \) -print0 | sort -z)
if ((${#bad[@]})); then
  printf 'not formatted (clang-format -i FILE): %s\n' "${bad[@]}"
  exit 1
fi
echo "format: every C++ file matches .clang-format"
