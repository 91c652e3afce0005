# relu3, long form and the one-liner
function relu3(x)
    if x < 0
        return 0.0
    elseif x < 1
        return x^3 / 3
    else
        return x - 2/3
    end
end

relu3_short(x) = x < 0 ? 0.0 : x < 1 ? x^3/3 : x - 2/3
