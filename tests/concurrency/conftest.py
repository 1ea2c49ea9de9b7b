"""The certificate tests' graduate, reused here to claim a certificate from several tabs."""

from tests.certificates.conftest import graduate  # noqa: F401
