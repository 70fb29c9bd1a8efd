"""Root-cause ranking benchmarks: datasets as cases (Nezha, PetShop) and their scorecard."""
