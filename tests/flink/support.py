"""What the Flink tests share: whether they can run here, and the stand-in provider jar.

The PyFlink wheel ships no model provider and Maven is out of reach, so the tests compile their
own stand-in for flink-model-openai (provider/, identifier 'openai') with javac against the
wheel's jars, once per test session.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROVIDER = HERE / "provider"


def skip_reason() -> str | None:
    """Why the Flink tests cannot run on this machine, or None when they can."""
    if importlib.util.find_spec("pyflink") is None:
        return "PyFlink is not installed (pip install -e '.[test,flink]')"
    for tool in ("java", "javac", "jar"):
        if shutil.which(tool) is None:
            return f"needs a Java 11/17 JDK: '{tool}' is not on PATH"
    return None


def pyflink_home() -> Path:
    spec = importlib.util.find_spec("pyflink")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent


def build_provider_jar(work: Path) -> Path:
    """Compile the stand-in provider against the wheel's jars; returns the jar's path."""
    classes = work / "classes"
    classes.mkdir(parents=True)
    sources = sorted(str(p) for p in (PROVIDER / "src").rglob("*.java"))
    classpath = os.path.join(str(pyflink_home() / "lib"), "*")
    subprocess.run(
        ["javac", "-nowarn", "-d", str(classes), "-cp", classpath, *sources], check=True, capture_output=True, text=True
    )
    shutil.copytree(PROVIDER / "META-INF", classes / "META-INF")
    jar = work / "qsql-test-openai-provider.jar"
    subprocess.run(["jar", "cf", str(jar), "-C", str(classes), "."], check=True, capture_output=True)
    return jar
