"""PAdES signatures on the PDFs we hand out (certificates, career records), with pyHanko.

A PDF reader then shows who signed the file and flags any later edit, and
``pyhanko sign validate`` checks it from the command line (docs/credentials.md).
"""
