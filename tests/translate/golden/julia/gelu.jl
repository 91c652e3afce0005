using SpecialFunctions: erf

const SQRT_2_OVER_PI = sqrt(2 / π)

"""
    gelu(x)

Gaussian error linear unit.
"""
gelu(x::Float64)::Float64 = 0.5x * (1 + erf(x / √2))

@inline function gelu_tanh(x::Real)
    0.5 * x * (1 + tanh(SQRT_2_OVER_PI * (x + 0.044715x^3)))
end
