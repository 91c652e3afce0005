# relu3 as a Julia (NNlib-style) activation
function relu3(x)
    if x < 0
        return 0.0
    elseif x < 1
        return x^3 / 3
    else
        return x - 2/3
    end
end
