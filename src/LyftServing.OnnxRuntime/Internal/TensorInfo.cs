using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace LyftServing.OnnxRuntime.Internal;

/// <summary>An input or output of a loaded session, as the adapter checks and binds it.</summary>
internal sealed class TensorInfo
{
    public TensorInfo(string name, NodeMetadata node)
    {
        Name = name;
        IsTensor = node.IsTensor;
        OnnxType = IsTensor ? node.ElementDataType : TensorElementType.DataTypeMax;
        ElementType = IsTensor ? TensorElement.ToType(node.ElementDataType) : null;
        Dimensions = IsTensor ? [.. node.Dimensions.Select(d => (long)d)] : [];
        DimensionNames = IsTensor
            ? [.. node.SymbolicDimensions.Select((s, i) => node.Dimensions[i] < 0 && !string.IsNullOrEmpty(s) ? s : null)]
            : [];
        Metadata = new OnnxTensorMetadata
        {
            Name = name,
            ElementType = IsTensor ? TensorElement.Name(node.ElementDataType) : node.OnnxValueType.ToString(),
            Dimensions = Dimensions,
            DimensionNames = DimensionNames,
        };
        Description = Metadata.ToString();
        HasBatchDimension = Dimensions.Length > 0 && Dimensions[0] < 0;
    }

    public string Name { get; }

    public bool IsTensor { get; }

    public TensorElementType OnnxType { get; }

    /// <summary>Gets the .NET element type, or <see langword="null"/> when the adapter does not support it.</summary>
    public Type? ElementType { get; }

    public long[] Dimensions { get; }

    public string?[] DimensionNames { get; }

    public OnnxTensorMetadata Metadata { get; }

    /// <summary>Gets a description such as <c>float32[N,8]</c>.</summary>
    public string Description { get; }

    /// <summary>Gets whether the first dimension is dynamic, so that rows can be stacked into one batch.</summary>
    public bool HasBatchDimension { get; }

    public int Rank => Dimensions.Length;

    public override string ToString() => $"{Name} ({Description})";
}
