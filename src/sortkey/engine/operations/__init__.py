"""DynamoDB operations of the embedded engine, one module per group (internal)."""
