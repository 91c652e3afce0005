# Losses and their careful forms, in Julia.
function huber(x; delta=1.0)
    a = abs(x)
    a <= delta ? 0.5 * x^2 : delta * (a - 0.5delta)
end

logitbce(logit, y) = max(logit, 0) - logit * y + log1p(exp(-abs(logit)))

function quantile_loss(e, tau)
    e >= 0 && return tau * e
    (tau - 1) * e
end

function logcosh(x)
    let a = abs(x)
        a + log1p(exp(-2a)) - log(2)
    end
end

function focal(logit, y; gamma=2.0)
    p = sigmoid(logit)
    pt = y > 0.5 ? p : 1 - p
    -(1 - pt)^gamma * log(pt)
end

poisson(lograte, k) = exp(lograte) - k * lograte
