"""Digital product passports: identifiers, QR codes, battery and copper passports, access tiers,
versioned storage and schema-validated exports (issue 5, items 1-3)."""
