"""Test tools for partners: expert test cases in OpenFisca's YAML format, and a pytest plugin."""
