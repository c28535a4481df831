// Dimension letters: one meaning per letter, in every shape comment of the engine.
//
// A shape comment names each dimension of a tensor with one of these letters and reads like
//
//     // x: [B, T, D] -> [B, T, D]
//
// | letter  | meaning                                                                            |
// |---------|------------------------------------------------------------------------------------|
// | B       | batch size (samples in one batch)                                                  |
// | T       | sequence length (query positions)                                                  |
// | S       | key/value sequence length (S = T in self-attention)                                |
// | D       | model width (d_model, PyTorch's embed_dim)                                         |
// | H       | attention heads                                                                    |
// | Dh      | per-head width, D / H                                                              |
// | F       | feed-forward width (dim_feedforward)                                               |
// | I       | input features (Linear's in_features; the seed's input_dim)                        |
// | O       | output features (Linear's out_features)                                            |
// | C       | classes                                                                            |
// | N       | samples in a whole data set (rows of a table)                                      |
// | G       | B·H, batch and heads flattened together (attention kernels)                        |
// | R       | rows of a 2-D view (all leading dimensions flattened)                              |
// | L       | length of the trailing run that is normalised or reduced (layer norm's             |
// |         | normalized_shape product)                                                          |
// | M, K, J | a matrix product [M, K] x [K, J] -> [M, J] (J, not N, so that N keeps one meaning) |
//
// `...` stands for any number of leading dimensions. Loops that work around one dimension view a
// tensor as `[outer, n, inner]`: the sizes before, along and after that dimension, in lower case
// because they are not model dimensions. Inside kernels the sizes are lower-case variables (`m`,
// `k`, `n` for M, K, J, as BLAS names them), and matrices are row-major.
