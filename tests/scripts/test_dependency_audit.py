"""The dependency audit says whether it really checked, and fails only on known vulnerabilities."""

from scripts.dependency_audit import outcome


def test_an_audit_that_reached_no_package_says_not_checked_and_passes():
    report = {"dependencies": [{"name": "django", "skip_reason": "Dependency not found on PyPI"}]}
    line, code = outcome(report)
    assert line.startswith("dependency audit: NOT CHECKED (") and "Dependency not found on PyPI" in line
    assert code == 0


def test_an_audit_with_a_known_vulnerability_names_it_and_fails():
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-1", "fix_versions": ["5.2.1"]}]},
            {"name": "redis", "version": "8.1.0", "vulns": []},
            {"name": "faker", "skip_reason": "timeout"},
        ]
    }
    text, code = outcome(report)
    assert "django 5.2.0: PYSEC-1 (fixed in 5.2.1)" in text
    assert text.splitlines()[-1] == (
        "dependency audit: checked 2 packages, 1 known vulnerabilities (1 more could not be audited: faker)"
    )
    assert code == 1


def test_a_clean_audit_counts_the_packages_it_checked():
    report = {"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []}]}
    assert outcome(report) == ("dependency audit: checked 1 packages, 0 known vulnerabilities", 0)
