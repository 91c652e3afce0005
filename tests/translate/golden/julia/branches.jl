function both_branches(x)
    if x > 0
        y = 2x
    else
        y = -x
    end
    y + 1
end

function early(x, y)
    x < -1 && return -1.0
    y > x || return x * y
    z = y - x
    if z > 10
        z = 10.0
    end
    z
end

chained(x) = 0 < x ≤ 1 ? x : (-1 < x < 0 ? 0.0 : x * x)

# the implicit result is the value of the last assignment
function last_assignment(x)
    a = x^2
    b = a + 1
end

function with_let(x)
    y = 1.0
    let y = x * 2, z = y + 1
        y + z
    end
end

function huber(x; delta=1.0)
    a = abs(x)
    a <= delta ? 0.5 * x^2 : delta * (a - 0.5 * delta)
end

uses_keywords(x) = huber(x) + huber(x; delta=2.0) + huber(x, delta=0.5)
