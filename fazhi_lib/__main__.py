"""`python -m fazhi_lib …`: the `fazhi` command without the script on PATH (Windows, conda, no make).

python -m fazhi_lib build data/raw --out data/processed
python -m fazhi_lib report --data data/processed --out reports
"""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
