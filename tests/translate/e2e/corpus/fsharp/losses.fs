// Losses in F#, the way DiffSharp users write the scalar versions.
let huber (delta: float) (x: float) =
    let a = abs x
    if a <= delta then 0.5 * x * x
    else delta * (a - 0.5 * delta)

let logCosh (x: float) =
    let a = abs x
    a + log (1.0 + exp (-2.0 * a)) - log 2.0

let bceWithLogits (logit: float) (y: float) =
    max logit 0.0 - logit * y + log (1.0 + exp (-(abs logit)))

let pinball (tau: float) (e: float) =
    if e >= 0.0 then tau * e else (tau - 1.0) * e

let squaredError (x: float) (y: float) = pown (x - y) 2

let poissonNll (logRate: float) (count: float) = exp logRate - count * logRate
