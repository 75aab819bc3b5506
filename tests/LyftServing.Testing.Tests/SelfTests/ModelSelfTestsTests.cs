using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using LyftServing.Server;
using LyftServing.Testing.Tests.Samples;
using Snapshooter.Xunit;

namespace LyftServing.Testing.Tests.SelfTests;

public class ModelSelfTestsTests
{
    [Fact]
    public async Task RunAsync_SampleStore_RunsEveryCaseOfEveryModel()
    {
        var cases = await ModelSelfTests.RunAsync(b => b.AddModelServerModels(), new ModelSelfTestOptions { Store = "models" });

        Assert.Equal(["driver_eta", "fraud_score", "tabular_mlp", "tabular_mlp_torchscript", "trip_risk"], cases.Select(c => c.ModelName).Distinct());
        Assert.All(cases, c => Assert.True(c.Passed, c.ToString()));
        Assert.Equal(["2"], cases.Where(c => c.ModelName == "driver_eta").Select(c => c.Version).Distinct());
        Assert.Contains(cases, c => c.ToString() == "driver_eta v2: rush hour with a shared-ride stop");
    }

    [Fact]
    public async Task RunAsync_BrokenVersion_FailsItsCaseWithTheDifferenceAndPassesTheOthers()
    {
        var cases = await ModelSelfTests.RunAsync(b => b.AddModelServerModels(), new ModelSelfTestOptions { Store = "broken-store" });

        var failed = Assert.Single(cases, c => !c.Passed);
        Assert.Equal(("driver_eta", "3", "rush hour with a shared-ride stop"), (failed.ModelName, failed.Version, failed.CaseName));
        Assert.Contains(cases, c => c.Passed && c.CaseName == "short trip, off-peak");
    }

    [Fact]
    public async Task AssertPassed_BrokenVersion_ThrowsNamingModelVersionCaseAndDifference()
    {
        var cases = await ModelSelfTests.RunAsync(b => b.AddModelServerModels(), new ModelSelfTestOptions { Store = "broken-store" });

        var failure = Assert.Throws<ModelSelfTestFailedException>(() => cases.Single(c => !c.Passed).AssertPassed());

        Snapshot.Match(failure.Message);
    }

    [Fact]
    public async Task RunAsync_StoreWithoutTheModelsRuntime_FailsWithTheLoadError()
    {
        var store = Directory.CreateTempSubdirectory("lyftserving-testing-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(store, "fare", "1"));
            await File.WriteAllTextAsync(Path.Combine(store, "fare", "1", "tariff.txt"), "2.5 1 0.1");

            var cases = await ModelSelfTests.RunAsync(
                b => b.Services.AddModelServing().AddModel<TestModels.FareModel, TestModels.Trip, decimal>("fare", m => m.FromStore(store)));

            var load = Assert.Single(cases);
            Assert.Equal(("fare", "1", "has self-tests", false), (load.ModelName, load.Version, load.CaseName, load.Passed));
            Assert.Contains("no self-test cases", load.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(store, recursive: true);
        }
    }

    [Fact]
    public void ModelSelfTestData_BrokenStore_YieldsEveryCaseAsOneArgument()
    {
        var data = new ModelSelfTestDataAttribute(typeof(SampleServerSetup)) { Store = "broken-store" }
            .GetData(typeof(SampleModelSelfTests).GetMethod(nameof(SampleModelSelfTests.SelfTest))!)
            .ToList();

        Assert.All(data, row => Assert.IsType<ModelSelfTestCase>(Assert.Single(row)));
        Assert.Equal(2, data.Count);
        Assert.Single(data, row => !((ModelSelfTestCase)row[0]).Passed);
    }

    [Fact]
    public void ModelSelfTestData_TypeThatIsNotASetup_Throws() =>
        Assert.Throws<ArgumentException>(() => new ModelSelfTestDataAttribute(typeof(string)));

    [Fact]
    public void ModelSelfTestCase_SerializedByXunit_KeepsEveryField()
    {
        var original = new ModelSelfTestCase("fare", "2", "ten km", passed: false, "$: expected 17.5, got 14.5");
        var serializer = Type.GetType("Xunit.Sdk.SerializationHelper, xunit.execution.dotnet", throwOnError: true)!;
        var serialized = (string)serializer.GetMethod("Serialize", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, [original])!;

        var copy = (ModelSelfTestCase)serializer.GetMethod("Deserialize", BindingFlags.Public | BindingFlags.Static)!.MakeGenericMethod(typeof(ModelSelfTestCase)).Invoke(null, [serialized])!;

        Assert.Equal((original.ModelName, original.Version, original.CaseName, original.Passed, original.Message), (copy.ModelName, copy.Version, copy.CaseName, copy.Passed, copy.Message));
        Assert.Equal("fare v2: ten km", copy.ToString());
    }
}
