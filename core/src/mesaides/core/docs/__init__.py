"""A static documentation site of a deployment's partners, aides and Parameters (convention A13)."""
