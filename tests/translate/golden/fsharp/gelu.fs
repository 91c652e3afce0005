namespace Knossos.Demo

(* gelu, exact and tanh approximation (* nested comment *) *)
[<Literal>]
let Sqrt2OverPi = 0.7978845608028654

let inline gelu_tanh (x: float) =
    0.5 * x * (1.0 + tanh (Sqrt2OverPi * (x + 0.044715 * x ** 3.0)))

let gelu_sigmoid x = x * (1.0 / (1.0 + exp (-1.702 * x)))
