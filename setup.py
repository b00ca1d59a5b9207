# The build is defined in pyproject.toml (flit); this file is for tools that still look for setup.py.
from setuptools import find_packages, setup

from support_center import __version__

setup(
	name="support_center",
	version=__version__,
	packages=find_packages(include=["support_center", "support_center.*"]),
	include_package_data=True,
	zip_safe=False,
)
