using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using LyftServing.TorchSharp.Internal;
using Microsoft.Extensions.DependencyInjection;
using TorchSharp;

namespace LyftServing.TorchSharp.Benchmarks;

/// <summary>
/// The steps of one call of the zero-code <c>torchscript</c> runtime beside the raw forward call's,
/// each timed alone (<c>tabular_mlp</c>'s one row of 8 floats and its one-value output), so that
/// what the runtime adds to a call can be told apart (RESULTS.md, "Where the time goes"). Rounds
/// of 5,000 calls of each step in turn; each step's median and least time per call over the
/// rounds, and its allocation per call. The forward pass itself is left out: both calls run the
/// same one (TorchSharp's typed <c>call</c> hands its tensor to the same untyped <c>forward</c>).
/// </summary>
public static class Costs
{
    public static int Run(int rounds)
    {
        torch.set_num_threads(1);
        var services = new ServiceCollection().AddLogging();
        services.AddModelServing().AddModelSettings<TorchSharpSettings>(TorchSharpSettings.SectionName);
        using var provider = services.BuildServiceProvider();
        using var model = ActivatorUtilities.CreateInstance<TorchScriptModel>(provider);
        var source = Path.Combine(AppContext.BaseDirectory, "assets", "torchscript", "tabular_mlp", "1");
        model.LoadAsync(ModelArtifact.FromDirectoryAsync("tabular_mlp", "1", source).AsTask().GetAwaiter().GetResult(), CancellationToken.None).AsTask().GetAwaiter().GetResult();

        float[] features = [.. Enumerable.Range(0, 8).Select(i => (float)Math.Sin(i))];
        long[] shape = [1, 8];
        var tensorFeatures = new Tensors { { "features", Tensor.Create(features, 1, 8) } };
        using var bound = model.Signature.BindInputs("tabular_mlp", tensorFeatures);

        // A batch of 8,000 rows (256 KB): where the copy of the values costs most beside wrapping them.
        float[] batch = [.. Enumerable.Range(0, 8_000 * 8).Select(i => (float)Math.Sin(i))];
        long[] batchShape = [8_000, 8];
        var batchFeatures = new Tensors { { "features", Tensor.Create(batch, 8_000, 8) } };
        using var batchBound = model.Signature.BindInputs("tabular_mlp", new Tensors { { "features", Tensor.Create(batch, 8_000, 8) } });
        using var output = torch.ones(1, 1);

        (string Name, Action Call)[] steps =
        [
            ("raw: enter and leave inference mode", () =>
            {
                using var mode = torch.inference_mode();
            }),
            ("runtime: enter and leave the call (TorchCall: threads, inference mode, dispose scope)", () =>
            {
                using var call = TorchCall.Begin(1);
            }),
            ("raw: input torch.tensor(float[], shape), disposed", () =>
            {
                using var input = torch.tensor(features, shape);
            }),
            ("runtime before: input frombuffer(pooled array).view(shape), disposed", () =>
            {
                using var input = torch.frombuffer(features, torch.ScalarType.Float32, features.Length, 0);
                using var view = input.view(shape);
            }),
            ("runtime now: input TorchTensors.FromInput (torch.empty, copy), disposed", () =>
            {
                using var input = TorchTensors.FromInput(bound, 0, torch.CPU);
            }),
            ("raw: input of 8,000 rows torch.tensor(float[], shape), disposed", () =>
            {
                using var input = torch.tensor(batch, batchShape);
            }),
            ("runtime before: input of 8,000 rows frombuffer(pooled array).view(shape), disposed", () =>
            {
                using var input = torch.frombuffer(batch, torch.ScalarType.Float32, batch.Length, 0);
                using var view = input.view(batchShape);
            }),
            ("runtime now: input of 8,000 rows TorchTensors.FromInput (torch.empty, copy), disposed", () =>
            {
                using var input = TorchTensors.FromInput(batchBound, 0, torch.CPU);
            }),
            ("runtime: a whole call of 8,000 rows (TorchScriptModel.Predict, for scale)", () => model.Predict(batchFeatures)),
            ("raw: read the output (ReadCpuSingle)", () => output.ReadCpuSingle(0)),
            ("runtime before: output contiguous(), Tensor.shape, copy (in a dispose scope)", () =>
            {
                using var call = TorchCall.Begin(1);
                var value = output.contiguous();
                Tensor.Create(MemoryMarshal.Cast<byte, float>(value.bytes).ToArray(), value.shape);
            }),
            ("runtime now: output TorchTensors.ToTensor (in a dispose scope)", () =>
            {
                using var call = TorchCall.Begin(1);
                TorchTensors.ToTensor(output, "tabular_mlp", "score");
            }),
            ("runtime: bind the features to the signature, disposed", () =>
            {
                using var inputs = model.Signature.BindInputs("tabular_mlp", tensorFeatures);
            }),
            ("runtime: the result's Tensors", () => _ = new Tensors { { "score", Tensor.Create(new float[1], 1, 1) } }),
        ];

        var times = steps.Select(_ => new List<double>()).ToArray();
        const int Calls = 5_000;
        for (var round = -3; round < rounds; round++)
        {
            for (var s = 0; s < steps.Length; s++)
            {
                var step = steps[s].Call;
                var watch = Stopwatch.StartNew();
                for (var i = 0; i < Calls; i++)
                {
                    step();
                }

                if (round >= 0)
                {
                    times[s].Add(watch.Elapsed.TotalNanoseconds / Calls);
                }
            }
        }

        Console.WriteLine("| step | median per call | least per call | allocated per call |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        for (var s = 0; s < steps.Length; s++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1_000; i++)
            {
                steps[s].Call();
            }

            var allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / 1_000.0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {steps[s].Name} | {Interleaved.Median(times[s]):F0} ns | {times[s].Min():F0} ns | {allocated:F0} B |"));
        }

        return 0;
    }
}
