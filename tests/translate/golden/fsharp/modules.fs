// Nested modules as C++ namespaces: calls within a module stay plain, calls across
// modules name the callee from the global namespace; names resolve as F# scopes them.
namespace Physics.Kinetics

open System

/// Rate laws
module Rates =
    [<Literal>]
    let R = 8.314

    /// the Arrhenius rate constant
    let arrhenius a ea (t: float) = a * exp (-ea / (R * t))

    module Inhibition =
        let competitive (vmax: float) km ki (i: float) s = vmax * s / (km * (1.0 + i / ki) + s)

        /// through the file's own name, and from the enclosing module plainly
        let scaled (t: float) s =
            Physics.Kinetics.Rates.Inhibition.competitive 1.0 0.5 2.0 0.1 s * arrhenius 1.0 10.0 t

[<AutoOpen>]
module internal Units =
    let celsius (t: float) = t + 273.15

module int =
    open Rates.Inhibition

    /// a module named like a C++ keyword, using an opened module and an AutoOpen one
    let rate (s: float) = scaled (celsius 25.0) s + Rates.Inhibition.scaled 300.0 s

module K = Rates

let total (t: float) s = K.arrhenius 2.0 5.0 t + int.rate s

module Rates2 =
    let rate = exp 0.05

module Shadowing =
    /// a module constant and a function of one name in one lambda
    let rate (x: float) = Rates2.rate * x

    /// a parameter named like a function of the module: the call names its namespace
    let scaled (rate: float) (x: float) = rate * Shadowing.rate x
