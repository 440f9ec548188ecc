# Adopt the registry scanning configuration of a registry and Region, as
# REGISTRY_ID/REGION. Nothing is recorded as added, so a later destroy with
# on_destroy = "restore" leaves the configuration as it is.
terraform import c0221_scan_enforcement.registry 123456789012/us-east-1

# Adopt the continuous-scanning rule instead of the scan-on-push one.
terraform import c0221_scan_enforcement.continuous 123456789012/us-east-1/CONTINUOUS_SCAN
