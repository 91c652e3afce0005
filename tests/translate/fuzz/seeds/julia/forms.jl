const K = 2.0
function f(x; k=K)
    x < 0 && return 0.0
    let y = 2x^2, z = y ÷ 3
        y + z * k
    end
end
g(x) = x |> exp |> log1p
h(x) = x ≤ 1 ? √x : 1/2x
