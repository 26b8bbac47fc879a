#!/bin/bash
# Submit the map array, then the reduce step to start when every array task has ended
# (afterany: a shard with an unreadable photo still ends well; the reduce step lists such photos).
set -euo pipefail
cd "$(dirname "$0")"
map=$(sbatch --parsable analyze.sbatch)
sbatch --dependency="afterany:${map%%;*}" reduce.sbatch
