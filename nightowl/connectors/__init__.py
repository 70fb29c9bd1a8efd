"""Read side (the gather stage): one protocol per kind of data, one module per vendor."""
