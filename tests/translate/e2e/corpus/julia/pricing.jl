# Black-Scholes and Bachelier in Julia.
using SpecialFunctions

const INV_SQRT2 = 1 / sqrt(2)

ncdf(x) = 0.5 * (1 + erf(x * INV_SQRT2))

npdf(x) = exp(-x^2 / 2) / sqrt(2π)

function bs_call(s, k, t, r, sigma)
    d1 = (log(s / k) + (r + sigma^2 / 2) * t) / (sigma * sqrt(t))
    d2 = d1 - sigma * sqrt(t)
    s * ncdf(d1) - k * exp(-r * t) * ncdf(d2)
end

function bachelier(f, k, t, sigma)
    v = sigma * √t
    d = (f - k) / v
    (f - k) * ncdf(d) + v * npdf(d)
end

discount(r, t) = let rt = r * t
    exp(-rt)
end
