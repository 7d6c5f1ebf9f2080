"""`python -m imports_pipeline.cli`, the same as the `imports-pipeline` command."""

import sys

from imports_pipeline.cli import main

sys.exit(main())
