using System.ComponentModel;
using System.Runtime.Loader;

namespace LyftServing.TorchSharp.Tests.Settings;

public sealed class TorchScriptTensorTests
{
    [Fact]
    public void TypeConverter_NameOnly_BindsAsADeclarationWithThatName()
    {
        var tensor = (TorchScriptTensor)TypeDescriptor.GetConverter(typeof(TorchScriptTensor)).ConvertFromInvariantString("score")!;

        Assert.Equal(("score", null, null), (tensor.Name, tensor.DType, tensor.Shape));
    }

    [Fact]
    public void TypeConverter_PackageLoadedInAnotherLoadContext_StillConvertsNames()
    {
        // As `lyftserving test --runtime LyftServing.TorchSharp.dll` loads a runtime package.
        var context = new AssemblyLoadContext("runtime-package", isCollectible: true);
        try
        {
            var assembly = context.LoadFromAssemblyPath(typeof(TorchScriptTensor).Assembly.Location);
            var type = assembly.GetType(typeof(TorchScriptTensor).FullName!)!;
            Assert.NotSame(typeof(TorchScriptTensor), type);

            var converted = TypeDescriptor.GetConverter(type).ConvertFromInvariantString("score");

            Assert.Same(type, converted?.GetType());
            Assert.Equal("score", type.GetProperty(nameof(TorchScriptTensor.Name))!.GetValue(converted));
        }
        finally
        {
            context.Unload();
        }
    }
}
