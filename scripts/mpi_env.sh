# Open MPI settings for every script and test that starts ranks on these machines (sourced,
# not run): scripts/common.sh, tests/cli/*, benchmarks/*.sh. One place, so they cannot drift.
# Open MPI refuses root without these; CI and these machines run as root.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Open MPI busy-polls while a rank waits; on cores shared with anything else (a 2-core VM,
# CI, 4 ranks on 2 cores) the waiting rank steals the core from the rank it waits for and
# a 2-rank run slows down 20-300x. Yielding when idle costs little and avoids that (see
# benchmarks/RESULTS.md, "MPI on shared cores"). Set it to 0 on dedicated cores.
export OMPI_MCA_mpi_yield_when_idle=${OMPI_MCA_mpi_yield_when_idle:-1}
# On SIGINT/SIGTERM mpirun sends SIGTERM to the ranks and SIGKILL after this many seconds
# (Open MPI's default is 1): time for every rank to stop at its next window and clean up.
export OMPI_MCA_odls_base_sigkill_timeout=${OMPI_MCA_odls_base_sigkill_timeout:-10}
