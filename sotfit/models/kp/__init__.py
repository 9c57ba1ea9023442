"""Band-model (k·p) torques: Boltzmann and Kubo-Bastin linear response (pure numpy/scipy)."""
