# Numerically careful Julia: early returns with &&, integer division operators,
# juxtaposition and constants.
const LOG2 = log(2.0)

function log1pexp(x)
    x <= -37 && return exp(x)
    x <= 18 && return log1p(exp(x))
    x <= 33.3 && return x + exp(-x)
    x
end

function logaddexp(a, b)
    m = max(a, b)
    m + log1p(exp(-abs(a - b)))
end

sinc_safe(x) = abs(x) < 1e-4 ? 1 - x^2 / 6 : sin(x) / x

# Julia: ÷ and div truncate, fld floors, % and rem truncate, mod floors
wrapped(x) = (x ÷ 3) + div(x, 2) + fld(x, 4) + x % 3 + rem(x, 2) + mod(x, 5)

poly(x) = 3x^3 - 2x^2 + 1/2x + 4

log2_via_constant(x) = log(x) / LOG2 + log(2, x)

function clamp_sum(x, y)
    s = x + y
    s = clamp(s, -1.0, 1.0)
    s *= 2
    s
end
