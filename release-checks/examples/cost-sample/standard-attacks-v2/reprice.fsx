// Reprices a saved cost sample with the current build's CostExtrapolation (after the probe-rate fix).
#r "BIN/MlacRelease.Certification.dll"
#r "BIN/MlacRelease.Core.dll"
#r "BIN/MlacRelease.Common.dll"
#r "BIN/YamlDotNet.dll"
open System.IO
open MlacRelease.Certification.Batteries
open MlacRelease.Certification.Costing
open MlacRelease.Certification.Certificates
open MlacRelease.Certification.Execution
let args = fsi.CommandLineArgs
let doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText args.[1])
let sample = CanonicalJson.Deserialize<CostSample>(System.Text.Encoding.UTF8.GetBytes(doc.RootElement.GetProperty("sample").GetRawText()), args.[1])
type R = { Sample: CostSample }
let report = { Sample = sample }
let battery = BatteryParser.Parse(File.ReadAllText "release-checks/batteries/standard.yaml", "standard.yaml")
let shape = DataShape(1000, int args.[2], report.Sample.Evaluation.Examples, report.Sample.MeanTokens)
let e = CostExtrapolation.Estimate(report.Sample, battery, UnitPlanner.Plan(battery, shape), shape)
for r in e.Rows do
    if r.Target = MlacRelease.Certification.Data.TargetRole.Model then
        printfn "%-22s %7.2f CPU-h  fit %s" r.Family (r.CpuSeconds / 3600.0) (match r.Rate with null -> "-" | x -> sprintf "%.3f s, exceeded %b" x.ProbeSecondsPerFit x.EvaluationExceededSample)
printfn "all arms %.1f CPU-h, per further model %.1f CPU-h, longest unit %.2f CPU-h, slurm %.2f h / %.2f h" (e.AllTargetsCpuSeconds / 3600.0) (e.ModelOnlyCpuSeconds / 3600.0) (e.LongestUnitSeconds / 3600.0) (e.SlurmAllTargets.WallSeconds / 3600.0) (e.SlurmModelOnly.WallSeconds / 3600.0)
