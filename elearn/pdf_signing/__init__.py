"""PAdES signatures on the PDFs we hand out (certificates, career records), with pyHanko.

A PDF reader then shows who signed the file and flags any later edit, and
``pyhanko sign validate`` checks it from the command line (docs/credentials.md).
"""

import warnings

from cryptography.utils import CryptographyDeprecationWarning

# pyHanko still names cryptography's DSA key types (deprecated since cryptography 47) to
# recognise them; we never make or accept a DSA key, so the warning is noise on every
# command that signs or checks a PDF. Set here, before any module of ours imports pyHanko.
warnings.filterwarnings("ignore", "DSA is deprecated", CryptographyDeprecationWarning)
