IDX 250–867 samples/s, PNG 257–503, PNG/IDX 0.58–1.46 (3 interleaved pair3)
