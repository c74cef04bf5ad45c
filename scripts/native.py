"""Build or check the compiled indicator code: `python scripts/native.py build|status`.

`make native` runs the build; see src/fraudhub/indicators/native.py.
"""

import sys

from fraudhub.indicators import native

if __name__ == "__main__":
    sys.exit(native.main(sys.argv[1:]))
