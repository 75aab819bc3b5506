using System.Globalization;

namespace LyftServing.OnnxRuntime.Internal;

/// <summary>
/// Checks untyped features against a session's inputs (names, element types, ranks, fixed and
/// shared dimensions) and converts their values to each input's element type. Every mismatch is
/// a <see cref="ModelFeaturesException"/> that names the input, its JSON path and what was expected.
/// </summary>
internal static class FeatureConverter
{
    /// <summary>A checked input: values of the input's element type and the shape to run with.</summary>
    public readonly record struct PreparedInput(Array Values, long[] Shape);

    /// <summary>Checks and converts the features of one call; the result is in the order of <paramref name="inputs"/>.</summary>
    /// <param name="modelName">The model, for errors.</param>
    /// <param name="inputs">The session's inputs.</param>
    /// <param name="features">The features.</param>
    /// <param name="context">Prepended to messages (such as "Row 3 of the batch: "), or empty.</param>
    public static PreparedInput[] Prepare(string modelName, IReadOnlyList<TensorInfo> inputs, OnnxTensors features, string context = "")
    {
        ArgumentNullException.ThrowIfNull(features);
        foreach (var name in features.Keys)
        {
            if (!Contains(inputs, name))
            {
                throw new ModelFeaturesException(
                    modelName,
                    TensorElement.MemberPath("$", name),
                    $"{context}'{TensorElement.MemberPath("$", name)}' is not an input of model '{modelName}'; its inputs are: {string.Join(", ", inputs)}.");
            }
        }

        var prepared = new PreparedInput[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            var path = TensorElement.MemberPath("$", input.Name);
            if (!features.TryGetValue(input.Name, out var tensor))
            {
                throw new ModelFeaturesException(
                    modelName,
                    path,
                    $"{context}Model '{modelName}' needs the input '{input.Name}' ({input.Description}), which the features do not have; its inputs are: {string.Join(", ", inputs)}.");
            }

            prepared[i] = new PreparedInput(ConvertValues(modelName, input, tensor, path, context), CheckShape(modelName, input, tensor, path, context));
        }

        CheckSharedDimensions(modelName, inputs, prepared, context);
        return prepared;
    }

    private static bool Contains(IReadOnlyList<TensorInfo> inputs, string name)
    {
        foreach (var input in inputs)
        {
            if (input.Name == name)
            {
                return true;
            }
        }

        return false;
    }

    private static long[] CheckShape(string modelName, TensorInfo input, OnnxTensor tensor, string path, string context)
    {
        var shape = tensor.ShapeArray;
        if (shape.Length != input.Rank)
        {
            var hint = shape.Length + 1 == input.Rank && input.HasBatchDimension
                ? " For a single row, wrap it in one more array: [[…]]."
                : string.Empty;
            throw new ModelFeaturesException(
                modelName,
                path,
                string.Create(CultureInfo.InvariantCulture, $"{context}'{path}' has rank {shape.Length} (shape {TensorElement.FormatShape(shape)}), but input '{input.Name}' ({input.Description}) has rank {input.Rank}.{hint}"));
        }

        for (var d = 0; d < shape.Length; d++)
        {
            var expected = input.Dimensions[d];
            if (expected >= 0 && shape[d] != expected)
            {
                throw new ModelFeaturesException(
                    modelName,
                    path,
                    string.Create(CultureInfo.InvariantCulture, $"{context}'{path}' has shape {TensorElement.FormatShape(shape)}, but input '{input.Name}' ({input.Description}) needs size {expected} in dimension {d}."));
            }
        }

        return shape;
    }

    /// <summary>Dynamic dimensions with the same name (such as the batch dimension N) must have the same size in every input.</summary>
    private static void CheckSharedDimensions(string modelName, IReadOnlyList<TensorInfo> inputs, PreparedInput[] prepared, string context)
    {
        if (inputs.Count < 2)
        {
            return;
        }

        for (var i = 0; i < inputs.Count; i++)
        {
            for (var d = 0; d < inputs[i].Rank; d++)
            {
                if (inputs[i].DimensionNames[d] is not { } symbol)
                {
                    continue;
                }

                for (var j = i + 1; j < inputs.Count; j++)
                {
                    for (var e = 0; e < inputs[j].Rank; e++)
                    {
                        if (inputs[j].DimensionNames[e] == symbol && prepared[j].Shape[e] != prepared[i].Shape[d])
                        {
                            var first = TensorElement.MemberPath("$", inputs[i].Name);
                            var second = TensorElement.MemberPath("$", inputs[j].Name);
                            throw new ModelFeaturesException(
                                modelName,
                                second,
                                string.Create(CultureInfo.InvariantCulture, $"{context}'{second}' has size {prepared[j].Shape[e]} in dimension {e} ('{symbol}'), but '{first}' has {prepared[i].Shape[d]} in dimension {d}; inputs that share the dimension '{symbol}' must agree."));
                        }
                    }
                }
            }
        }
    }

    private static Array ConvertValues(string modelName, TensorInfo input, OnnxTensor tensor, string path, string context)
    {
        var target = input.ElementType!;
        var source = tensor.Values;
        if (source.GetType().GetElementType() == target)
        {
            return source;
        }

        if (source.Length == 0)
        {
            return Array.CreateInstance(target, 0);
        }

        var sourceIsNumber = source is float[] or double[] or int[] or long[];
        var targetIsNumber = target == typeof(float) || target == typeof(double) || target == typeof(int) || target == typeof(long);
        if (!sourceIsNumber || !targetIsNumber)
        {
            var got = sourceIsNumber ? "numbers" : TensorElement.Kind(tensor.ElementType);
            throw new ModelFeaturesException(
                modelName,
                path,
                $"{context}'{path}' must hold {TensorElement.Kind(target)} for input '{input.Name}' ({input.Description}), not {got}.");
        }

        if (target == typeof(float))
        {
            var result = new float[source.Length];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = (float)ReadDouble(source, i);
            }

            return result;
        }

        if (target == typeof(double))
        {
            var result = new double[source.Length];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = ReadDouble(source, i);
            }

            return result;
        }

        if (target == typeof(long))
        {
            var result = new long[source.Length];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = ReadInteger(modelName, input, tensor, path, context, i, long.MinValue, long.MaxValue);
            }

            return result;
        }

        var ints = new int[source.Length];
        for (var i = 0; i < ints.Length; i++)
        {
            ints[i] = (int)ReadInteger(modelName, input, tensor, path, context, i, int.MinValue, int.MaxValue);
        }

        return ints;
    }

    private static double ReadDouble(Array source, int index) => source switch
    {
        float[] f => f[index],
        double[] d => d[index],
        int[] n => n[index],
        _ => ((long[])source)[index],
    };

    private static long ReadInteger(string modelName, TensorInfo input, OnnxTensor tensor, string path, string context, int index, long min, long max)
    {
        long value;
        switch (tensor.Values)
        {
            case long[] longs:
                value = longs[index];
                break;
            case int[] ints:
                value = ints[index];
                break;
            default:
                var number = ReadDouble(tensor.Values, index);
                // 2^63 is exactly representable, so '< 2^63' is the precise upper bound for long.
                if (number != Math.Floor(number) || number < -9.2233720368547758E18 || number >= 9.2233720368547758E18)
                {
                    var elementPath = TensorElement.ElementPath(path, tensor.ShapeArray, index);
                    throw new ModelFeaturesException(
                        modelName,
                        elementPath,
                        string.Create(CultureInfo.InvariantCulture, $"{context}'{elementPath}' is {number:R}, but input '{input.Name}' ({input.Description}) takes integers."));
                }

                value = (long)number;
                break;
        }

        if (value < min || value > max)
        {
            var elementPath = TensorElement.ElementPath(path, tensor.ShapeArray, index);
            throw new ModelFeaturesException(
                modelName,
                elementPath,
                string.Create(CultureInfo.InvariantCulture, $"{context}'{elementPath}' is {value}, which is out of range for input '{input.Name}' ({input.Description})."));
        }

        return value;
    }
}
