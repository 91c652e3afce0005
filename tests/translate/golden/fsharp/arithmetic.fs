// F#: / between ints truncates (7 / 2 = 3), % takes the dividend's sign;
// prefix minus binds tighter than ** (-x ** 2.0 is (-x) ** 2.0);
// `exp -x` applies exp to -x, `exp - x` subtracts.
let division (x: float) = float (7 / 2) + float (-7 / 2) + float (-7 % 3) + x / 2.0 + x % 3.0

let powers (x: float) = -x ** 2.0 + -(x ** 2.0) + 2.0 ** 3.0 ** 2.0 + pown x 3 + x ** 0.5

let application (x: float) = exp -x + exp (-x) + (exp 1.0 - x) + sqrt (abs x) + max x 0.0 + (x |> max 1.0)

let literals (x: float) = x * 1_000.0 + float 0x10 + float 0b101 + 1e-3 + 1.5e2 + float 7L + 1.

let dotnet (x: float) = Math.Exp(x) + System.Math.Max(x, 1.0) + Math.Pow(x, 2.0) + Math.Log(x, 2.0) + Math.PI
