// Prices standard's model arm from a cost sample under the new rule (the tool's) and the old one (every run scores
// the test split and trains its own benign phase), on the same measured rates: what the two levers save.
#r "BIN/MlacRelease.Certification.dll"
#r "BIN/MlacRelease.Core.dll"
#r "BIN/MlacRelease.Common.dll"
#r "BIN/YamlDotNet.dll"
open System
open System.IO
open System.Text.Json
open MlacRelease.Certification.Batteries
open MlacRelease.Certification.Costing
open MlacRelease.Certification.Execution
open MlacRelease.Certification.Search
open MlacRelease.Core.Data
open MlacRelease.Certification.Data

let args = fsi.CommandLineArgs
let json = JsonDocument.Parse(File.ReadAllText args.[1]).RootElement
let tune = int args.[2]
let battery = BatteryParser.Parse(File.ReadAllText "release-checks/batteries/standard.yaml", "standard.yaml")
let sample = json.GetProperty("sample")
let ev = sample.GetProperty("evaluation")
let evalRate = ev.GetProperty("cpu_seconds").GetDouble() / ev.GetProperty("token_passes").GetDouble()
let shape = DataShape(1000, tune, ev.GetProperty("examples").GetInt32(), sample.GetProperty("mean_tokens").GetDouble())
let rates =
    json.GetProperty("estimate").GetProperty("rows").EnumerateArray()
    |> Seq.filter (fun r -> r.GetProperty("target").GetString() = "model" && r.GetProperty("rate").ValueKind = JsonValueKind.Object)
    |> Seq.map (fun r -> r.GetProperty("family").GetString(), r.GetProperty("rate").GetProperty("training_seconds_per_pass").GetDouble())
    |> dict
let toolRows =
    json.GetProperty("estimate").GetProperty("rows").EnumerateArray()
    |> Seq.filter (fun r -> r.GetProperty("target").GetString() = "model")
    |> Seq.map (fun r -> r.GetProperty("family").GetString(), r.GetProperty("cpu_seconds").GetDouble()) |> dict
let units = UnitPlanner.Plan(battery, shape)
let mutable totals = Map.empty
for u in units do
    if u.Target = TargetRole.Model && u.Kind = UnitKind.Attack && u.Attack.IsBudgeted then
        let a = u.Attack
        let fam = CertificationPlanner.FamilyName(u)
        let rate = rates.[fam]
        let n = u.DataSize.Resolve(shape.AttackerTrain)
        let configs = [ for i in 0 .. battery.Search.Trials - 1 -> a.Sample(DeterministicRandom(DeterministicRandom.DeriveSeed(battery.Seed, sprintf "trial/%s/%s/%d" a.Name u.DataSize.Label i))) ]
        let secs (c: MlacRelease.Certification.Attacks.AttackConfig) steps kind =
            let p = RunPasses.Expected(c, n, steps, battery.Evaluation.Every, shape, kind)
            p.Training * rate + p.Evaluation * evalRate
        let price search later =
            let mutable t = 0.0
            for r in SuccessiveHalving.Plan(battery.Search, true) do
                if r.Index = 0 then t <- t + (configs |> List.sumBy (fun c -> secs c (SuccessiveHalving.StepsAt(r, c.Training.Steps)) search))
                else t <- t + float r.Configurations * (configs |> List.averageBy (fun c -> secs c (SuccessiveHalving.StepsAt(r, c.Training.Steps)) later))
            t + float battery.Seeds.Count * (configs |> List.averageBy (fun c -> secs c c.Training.Steps RunKind.SeedRerun))
        let nw = price RunKind.FirstRungSearch RunKind.LaterRungSearch
        let old = price RunKind.SeedRerun RunKind.SeedRerun
        // No test scoring for search runs, but every run trains its own benign phase: the first lever alone.
        let noTest = price RunKind.FirstRungSearch RunKind.FirstRungSearch
        let (a1, b1, c1) = match Map.tryFind fam totals with Some v -> v | None -> (0.0, 0.0, 0.0)
        totals <- Map.add fam (a1 + nw, b1 + old, c1 + noTest) totals
let mutable sn, so = 0.0, 0.0
for KeyValue(f, (nw, old, noTest)) in totals do
    printfn "%-22s new %7.2f CPU-h (tool %7.2f)  old rule %7.2f  saved by no test scoring %5.2f, by benign reuse %5.2f" f (nw / 3600.0) (toolRows.[f] / 3600.0) (old / 3600.0) ((old - noTest) / 3600.0) ((noTest - nw) / 3600.0)
    sn <- sn + nw; so <- so + old
printfn "trained families: new %.2f CPU-h, old rule %.2f CPU-h, saved %.2f (%.1f %%)" (sn / 3600.0) (so / 3600.0) ((so - sn) / 3600.0) (100.0 * (so - sn) / so)
