"""Package layout for setuptools; everything else is declared in pyproject.toml.

The product card fixes the checkout's top level: static/, migrations/, the curriculum (modules/, quizzes/, surveys/) and documents/ live
beside lms/, not in it. A wheel must carry them inside the package, so they are mapped to lms/_bundled/<folder>;
lms/bundled.py finds them there in an installed wheel and at the top of a checkout otherwise. A mapping per folder
cannot be combined with package discovery in pyproject.toml, hence this file.
"""

from setuptools import find_namespace_packages, setup

BUNDLED = ("static", "migrations", "modules", "quizzes", "documents", "surveys")

setup(
    packages=[
        *find_namespace_packages(include=["lms", "lms.*"], exclude=["lms._bundled*"]),
        *(f"lms._bundled.{folder}" for folder in BUNDLED),
        "lms._bundled.migrations.versions",
    ],
    package_dir={f"lms._bundled.{folder}": folder for folder in BUNDLED},
    package_data={
        "lms": [
            "**/templates/**/*",
            "translations/**/*",
            "reports/fonts/*",
            "certificates/fonts/*",
            "auth/data/*",
            "legal/defaults/*.md",
        ],
        "lms._bundled.static": ["**/*"],
        "lms._bundled.migrations": ["script.py.mako"],
        "lms._bundled.modules": ["*.md"],
        "lms._bundled.quizzes": ["*.md"],
        "lms._bundled.documents": ["*.md"],
        "lms._bundled.surveys": ["*.md"],
    },
    # Exactly the files named above; nothing picked up from the sdist's file list on top.
    include_package_data=False,
    exclude_package_data={"": ["__pycache__/*", "*.pyc"]},
)
