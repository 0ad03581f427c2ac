"""Setuptools' editable install (``pip install -e .``) writes no ``data-files``: the
prebuilt JupyterLab extension (``share/jupyter/labextensions/``) would be missing. This
``build_py`` also installs them in editable mode, into the editable wheel, as a regular
wheel has them (what hatch does for the Jupyter extension template's shared data). A
copy: after rebuilding ``labextension/``, install again (or link it: the README)."""

from __future__ import annotations

from setuptools.command.build_py import build_py


class BuildPy(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            self.run_command("install_data")
