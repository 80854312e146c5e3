using System.Runtime.InteropServices;
using System.Text.Json;
using Toolchain.Contracts;
using Toolchain.Data.Metrics;
using Toolchain.Inference.Cli.Benchmarking;
using Toolchain.Inference.Cli.Commands;
using Toolchain.Inference.Cli.Evaluation;

namespace Toolchain.Inference.Cli.Tests.Output;

/// <summary>
/// The exact text of the JSON reports that scripts and people read: field names, order, which fields are left out
/// and which are written as null, number formatting and escaping.
/// </summary>
public class ReportJsonTests
{
    private static EvalResult Eval(double? cardAccuracy, bool comparable, double? mse)
    {
        var confusion = ConfusionMatrix.From([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], classCount: 2);
        string[] labels = ["zéro", "one <1>"];
        return new EvalResult
        {
            ModelPath = "/m/model.onnx",
            Dataset = "mnist-sample",
            Provider = ExecutionProvider.Cpu,
            BatchSize = 256,
            Labels = labels,
            Confusion = confusion,
            Report = ClassificationReport.From(confusion, labels),
            InferenceSeconds = 0.25,
            TotalSeconds = 1.5,
            MeanSquaredError = mse,
            CardAccuracy = cardAccuracy,
            CardComparable = comparable,
            OutputDirectory = "/m/eval",
            Charts = [],
        };
    }

    [Fact]
    public void The_eval_report_keeps_its_fields_order_and_escaping()
    {
        var json = EvalCommand.ToJson(Eval(cardAccuracy: 0.6, comparable: true, mse: 0.125), indented: true);

        Assert.Equal("""
            {
              "model": "/m/model.onnx",
              "dataset": "mnist-sample",
              "provider": "cpu",
              "batch_size": 256,
              "count": 5,
              "accuracy": 0.6,
              "mse": 0.125,
              "card_test_accuracy": 0.6,
              "card_comparable": true,
              "predictions_from_card": 0,
              "labels": [
                "zéro",
                "one <1>"
              ],
              "confusion_matrix": [
                [
                  1,
                  1
                ],
                [
                  1,
                  2
                ]
              ],
              "classification_report": {
                "zéro": {
                  "precision": 0.5,
                  "recall": 0.5,
                  "f1-score": 0.5,
                  "support": 2
                },
                "one <1>": {
                  "precision": 0.6666666666666666,
                  "recall": 0.6666666666666666,
                  "f1-score": 0.6666666666666666,
                  "support": 3
                },
                "accuracy": 0.6,
                "macro avg": {
                  "precision": 0.5833333333333333,
                  "recall": 0.5833333333333333,
                  "f1-score": 0.5833333333333333,
                  "support": 5
                },
                "weighted avg": {
                  "precision": 0.6,
                  "recall": 0.6,
                  "f1-score": 0.6,
                  "support": 5
                }
              },
              "inference_seconds": 0.25,
              "images_per_second": 20,
              "total_seconds": 1.5
            }
            """, json);
    }

    [Fact]
    public void Without_a_card_figure_the_eval_report_writes_null_and_leaves_out_what_does_not_apply()
    {
        var json = EvalCommand.ToJson(Eval(cardAccuracy: null, comparable: false, mse: null), indented: false);

        Assert.StartsWith("""{"model":"/m/model.onnx","dataset":"mnist-sample","provider":"cpu","batch_size":256,"count":5,"accuracy":0.6,"card_test_accuracy":null,"card_comparable":false,"labels":["zéro","one <1>"],""", json);
        Assert.EndsWith(""","inference_seconds":0.25,"images_per_second":20,"total_seconds":1.5}""", json);
    }

    private static BenchReport Bench(ExecutionProvider provider, bool withOptional)
    {
        var latency = new LatencyStats(Samples: 10, MeanMs: 1.234567, P50Ms: 1.111111, P99Ms: 2.222222);
        return new BenchReport("/m/model.onnx", provider, 2, "MNIST test images <real>",
            [new BatchTiming(1, 100, 12345.678, latency), new BatchTiming(64, 20, 23456.789, latency)],
            withOptional ? latency : null,
            withOptional ? new ProcessTiming("infer classify one.png", new LatencyStats(5, 150, 171.23456, 180.5)) : null,
            LoadAverage: 0.5,
            withOptional ? [new ConcurrencyTiming(false, 16, 1, 1000.123, latency, 1), new ConcurrencyTiming(true, 16, 1, 1250.456, latency, 3.14159)] : []);
    }

    [Fact]
    public void The_bench_report_keeps_its_fields_order_and_escaping()
    {
        var report = Bench(ExecutionProvider.Cpu, withOptional: true);
        var machine = JsonEncodedText.Encode($"{Environment.ProcessorCount} logical CPUs, load average 0.50 at start, {RuntimeInformation.OSDescription}");
        var verdicts = string.Join(",\n", report.Verdicts().Concat(report.Notes()).Select(v => $"    \"{JsonEncodedText.Encode(v)}\""));

        Assert.Equal($$"""
            {
              "model": "/m/model.onnx",
              "provider": "cpu",
              "threads": 2,
              "inputs": "MNIST test images \u003Creal\u003E",
              "machine": "{{machine}}",
              "machine_busy": false,
              "batches": [
                {
                  "batch_size": 1,
                  "calls": 100,
                  "images_per_second": 12345.7,
                  "p50_ms": 1.1111,
                  "p99_ms": 2.2222,
                  "ms_per_image": 1.23457
                },
                {
                  "batch_size": 64,
                  "calls": 20,
                  "images_per_second": 23456.8,
                  "p50_ms": 1.1111,
                  "p99_ms": 2.2222,
                  "ms_per_image": 0.01929,
                  "pytorch_images_per_second": 2360,
                  "speedup_vs_pytorch": 9.94
                }
              ],
              "single_image_from_png": {
                "calls": 10,
                "p50_ms": 1.1111,
                "p99_ms": 2.2222,
                "mean_ms": 1.2346
              },
              "whole_process_classify": {
                "command": "infer classify one.png",
                "runs": 5,
                "p50_seconds": 0.1712,
                "max_seconds": 0.1805
              },
              "concurrent_callers": [
                {
                  "batched": false,
                  "callers": 16,
                  "intra_op_threads": 1,
                  "requests_per_second": 1000.1,
                  "p50_ms": 1.1111,
                  "p99_ms": 2.2222,
                  "mean_batch_size": 1
                },
                {
                  "batched": true,
                  "callers": 16,
                  "intra_op_threads": 1,
                  "requests_per_second": 1250.5,
                  "p50_ms": 1.1111,
                  "p99_ms": 2.2222,
                  "mean_batch_size": 3.14
                }
              ],
              "batching_gain": 1.25,
              "pytorch_reference": {
                "source": "PyTorch 1.13 eager (Debian python3-torch), no_grad, 2 threads, 10k MNIST test images; figures recorded in issue 5",
                "batch_64_images_per_second": 2360,
                "batch_1000_images_per_second": 1670,
                "single_image_ms_min": 2.4,
                "single_image_ms_max": 4.3
              },
              "verdicts": [
            {{verdicts}}
              ]
            }
            """, report.ToJson());
    }

    [Fact]
    public void A_bench_report_without_the_optional_parts_leaves_them_out()
    {
        using var json = JsonDocument.Parse(Bench(ExecutionProvider.Cuda, withOptional: false).ToJson());
        var root = json.RootElement;

        Assert.Equal(["model", "provider", "threads", "inputs", "machine", "machine_busy", "batches", "pytorch_reference", "verdicts"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.All(root.GetProperty("batches").EnumerateArray(), b => Assert.Equal(6, b.EnumerateObject().Count()));
    }
}

public sealed class JsonLineTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Classify_json_lines_keep_their_fields_order_and_escaping()
    {
        var model = _files.ImageModel();
        var good = _files.Png("gööd <1>.png", 2);
        var bad = _files.Text("bad.png", "nope");

        var r = CliRun.Infer("classify", "--provider", "cpu", "--model", model, "--raw", "--json", "--top-k", "2", good, bad);

        Assert.Equal(
        [
            $$"""{"file":"{{good}}","label":2,"name":"digit 2","confidence":0.99939,"top_k":[{"label":2,"name":"digit 2","probability":0.99939},{"label":9,"name":"digit 9","probability":0.000138}]}""",
            $$"""{"file":"{{bad}}","error":"is not a supported image (expected PNG, JPEG, BMP, GIF or WebP content)"}""",
        ], r.OutLines);
    }

    [Fact]
    public void Predict_json_lines_keep_their_fields_and_order()
    {
        var model = _files.BinaryModel();

        var r = CliRun.InferWithInput("2 0\nx y\n", "predict", "--provider", "cpu", "--model", model, "-", "--json");

        Assert.Equal(
        [
            """{"line":1,"probability":0.731059,"class":1,"name":"positive"}""",
            """{"line":2,"error":"field 1 is not a finite number: 'x'"}""",
        ], r.OutLines);
    }
}
