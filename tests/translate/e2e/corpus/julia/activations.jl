# Activations as written with NNlib/Flux.
using NNlib
using SpecialFunctions: erf

function relu3(x)
    if x < 0
        return 0.0
    elseif x < 1
        return x^3 / 3
    else
        return x - 2/3
    end
end

myswish(x) = x * sigmoid(x)

mymish(x) = x * tanh(softplus(x))

gelu_erf(x) = 0.5x * (1 + erf(x / √2))

gelu_nnlib(x) = gelu(x)

function mycelu(x; alpha=1.0)
    x > 0 ? x : alpha * expm1(x / alpha)
end

leaky(x) = leakyrelu(x, 0.2)

elu_ifelse(x, alpha=1.0) = ifelse(x > 0, x, alpha * (exp(x) - 1))

softsign_manual(x) = x / (1 + abs(x))

function hard_sigmoid(x)
    if x <= -3
        y = 0.0 * x
    elseif x >= 3
        y = 0.0 * x + 1
    else
        y = x / 6 + 1 / 2
    end
end

tanhshrink_piped(x) = x - (x |> tanh)
