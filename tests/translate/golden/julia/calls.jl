using NNlib

const BETA = 2.0
LIMIT = 3

activations(x) = relu(x) + leakyrelu(x, 0.1) + elu(x) + gelu(x) + swish(x) + softplus(x) + hardtanh(x) + sigmoid(x)

math(x) = exp(x) + log(x) + log(2, x) + atan(x) + atan(x, 2.0) + abs2(x) + inv(x) + clamp(x, -1, 1) + ifelse(x > 0, x, -x)

constants(x) = BETA * x^LIMIT + π + ℯ + pi + max(x, 0.0, -x)

piped(x) = x |> exp |> log1p
