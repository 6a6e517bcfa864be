"""Pure numerics: numpy in, numpy out. No I/O, no plotting, no printing."""
