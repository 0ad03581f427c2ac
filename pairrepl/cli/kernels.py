"""``pairrepl install-kernel``: the "Python 3 (pairrepl)" kernelspec for Jupyter."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

from pairrepl.cli.options import CommandLineError


def install_kernel(args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="pairrepl install-kernel",
        description="Install a Jupyter kernelspec, 'Python 3 (pairrepl)', that starts "
        "ipykernel with this interpreter and the pairrepl magics loaded (%ai, %promote, ...).",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--user", action="store_true", help="for this user (the default; JUPYTER_DATA_DIR)"
    )
    where.add_argument(
        "--sys-prefix", action="store_true", help=f"into this environment ({sys.prefix})"
    )
    where.add_argument("--prefix", metavar="PATH", help="into PATH/share/jupyter/kernels")
    parser.add_argument("--name", default="pairrepl", help="the kernelspec's name (pairrepl)")
    parser.add_argument("--display-name", help="what the launcher shows")
    options = parser.parse_args(args)

    from pairrepl import __version__
    from pairrepl.kernel.kernelspec import DISPLAY_NAME, install_kernelspec

    prefix = sys.prefix if options.sys_prefix else options.prefix
    try:
        folder = install_kernelspec(
            __version__,
            name=options.name,
            display_name=options.display_name or DISPLAY_NAME,
            user=prefix is None,
            prefix=prefix,
        )
    except (OSError, ValueError) as error:
        raise CommandLineError(f"could not install the kernelspec: {error}") from error
    print(
        f"Installed kernelspec {options.name!r} in {folder}. It runs {sys.executable} with "
        f"the pairrepl magics loaded: pick '{options.display_name or DISPLAY_NAME}' in "
        f"JupyterLab, or run: jupyter console --kernel {options.name}"
    )
    return 0
