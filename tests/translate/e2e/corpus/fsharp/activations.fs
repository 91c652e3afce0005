module Activations

open System

/// relu3: cubic near zero, linear above one
let relu3 (x: float) : float =
    if x < 0.0 then 0.0
    elif x < 1.0 then x ** 3.0 / 3.0
    else x - 2.0 / 3.0

let sigmoid (x: float) = 1.0 / (1.0 + exp -x)

let swish x = x * sigmoid x

let softplus (x: float) =
    if x > 20.0 then x
    else log (1.0 + exp x)

let inline geluTanh (x: float) =
    0.5 * x * (1.0 + tanh (0.7978845608028654 * (x + 0.044715 * pown x 3)))

let elu (x: float) (alpha: float) = if x > 0.0 then x else alpha * (exp x - 1.0)

let leaky (x: float) = max (0.01 * x) x

let mish (x: float) = x * Math.Tanh(log (1.0 + Math.Exp x))

let logisticDerivative x = let s = 1.0 / (1.0 + exp -x) in s * (1.0 - s)

let hardtanh (x: float) =
    if x < -1.0 then -1.0
    elif x > 1.0 then 1.0
    else x

let softsignPiped (x: float) = x / (1.0 + (x |> abs))
