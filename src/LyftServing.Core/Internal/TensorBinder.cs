using System.Globalization;

namespace LyftServing.Internal;

/// <summary>
/// Checks features against a signature and converts them to its element types
/// (<see cref="ModelSignature.BindInputs"/>); stacks the rows of a batch and splits its outputs.
/// Every mismatch is a <see cref="ModelFeaturesException"/> naming the input, its JSON path and
/// what was expected; paths are relative to where the features were read from.
/// </summary>
internal static class TensorBinder
{
    public static TensorInputs Bind(string modelName, ModelSignature signature, Tensors features, string context)
    {
        var inputs = signature.Inputs;
        if (inputs.Count == 1 && inputs[0].ColumnNames is { } columns && features.IndexOf(inputs[0].Name) < 0 && features.Count > 0)
        {
            return BindColumns(modelName, signature, columns, features, context);
        }

        var source = features.SourcePath;
        for (var i = 0; i < features.Count; i++)
        {
            var name = features.NameAt(i);
            if (IndexOf(inputs, name) < 0)
            {
                var path = TensorElements.MemberPath(source, name);
                throw Error(source, modelName, path, $"{context}'{path}' is not an input of model '{modelName}'; its inputs are: {signature.DescribeInputs()}.");
            }
        }

        var bound = new TensorInputs(signature);
        try
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                var spec = inputs[i];
                var index = features.IndexOf(spec.Name);
                if (index < 0)
                {
                    var path = TensorElements.MemberPath(source, spec.Name);
                    throw Error(source, 
                        modelName,
                        path,
                        $"{context}'{path}' is missing: model '{modelName}' needs the input '{spec.Name}' ({spec}); its inputs are: {signature.DescribeInputs()}.");
                }

                var tensor = features.TensorAt(index);
                CheckShape(modelName, spec, tensor, source, context);
                var (values, rented) = Convert(modelName, spec, tensor, source, context);
                bound.Set(i, values, tensor.Length, tensor.ShapeArray, rented);
            }

            bound.RowCount = CheckSharedDimensions(modelName, signature, bound, source, context);
            return bound;
        }
        catch
        {
            bound.Dispose();
            throw;
        }
    }

    /// <summary>Stacks rows (each already bound) along the batch dimension; <see langword="null"/> with a reason when they do not stack.</summary>
    public static TensorInputs? Stack(ModelSignature signature, TensorInputs[] rows, out string? reason)
    {
        long total = 0;
        foreach (var row in rows)
        {
            total += row.RowCount;
        }

        for (var i = 0; i < signature.Inputs.Count; i++)
        {
            var reference = rows[0].ShapeArray(i);
            for (var r = 0; r < rows.Length; r++)
            {
                var shape = rows[r].ShapeArray(i);
                if (shape[0] != rows[r].RowCount || !shape.AsSpan(1).SequenceEqual(reference.AsSpan(1)))
                {
                    reason = $"input '{signature.Inputs[i].Name}' has shape {TensorElements.FormatShape(shape)} in row {r} but {TensorElements.FormatShape(reference)} in row 0";
                    return null;
                }
            }
        }

        var stacked = new TensorInputs(signature) { RowCount = total };
        for (var i = 0; i < signature.Inputs.Count; i++)
        {
            var shape = (long[])rows[0].ShapeArray(i).Clone();
            shape[0] = total;
            var length = 0;
            foreach (var row in rows)
            {
                length += row.Length(i);
            }

            var values = TensorInputs.Rent(signature.Inputs[i].ElementType, length);
            var offset = 0;
            foreach (var row in rows)
            {
                Array.Copy(row.Values(i), 0, values, offset, row.Length(i));
                offset += row.Length(i);
            }

            stacked.Set(i, values, length, shape, rented: true);
        }

        reason = null;
        return stacked;
    }

    /// <summary>Splits the outputs of a stacked run back into one set per row.</summary>
    public static void Split(string modelName, Tensors batch, TensorInputs[] rows, Span<Tensors> outputs)
    {
        long total = 0;
        foreach (var row in rows)
        {
            total += row.RowCount;
        }

        for (var r = 0; r < rows.Length; r++)
        {
            outputs[r] = new Tensors(batch.Count);
        }

        for (var o = 0; o < batch.Count; o++)
        {
            var tensor = batch.TensorAt(o);
            if (tensor.Rank == 0 || tensor.ShapeArray[0] != total)
            {
                throw new InvalidOperationException(
                    $"Model '{modelName}' returned output '{batch.NameAt(o)}' with shape {TensorElements.FormatShape(tensor.ShapeArray)} for a batch of {total} rows; its first dimension must be the batch dimension.");
            }

            var rowLength = total == 0 ? 0 : tensor.Length / total;
            long start = 0;
            for (var r = 0; r < rows.Length; r++)
            {
                var shape = (long[])tensor.ShapeArray.Clone();
                shape[0] = rows[r].RowCount;
                var length = checked((int)(rowLength * rows[r].RowCount));
                var values = Array.CreateInstance(tensor.Values.GetType().GetElementType()!, length);
                Array.Copy(tensor.Values, start, values, 0, length);
                start += length;
                outputs[r].AddUnchecked(batch.NameAt(o), Tensor.CreateUnchecked(values, shape));
            }
        }
    }

    /// <summary>An error whose paths start where the features were read from.</summary>
    private static ModelFeaturesException Error(string source, string modelName, string path, string message) =>
        new(modelName, path, message, problem: null, source, innerException: null);

    private static int IndexOf(IReadOnlyList<TensorSpec> specs, string name)
    {
        for (var i = 0; i < specs.Count; i++)
        {
            if (string.Equals(specs[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static void CheckShape(string modelName, TensorSpec spec, Tensor tensor, string source, string context)
    {
        var shape = tensor.ShapeArray;
        if (spec.HasBatchDimension && shape.Length > 0 && shape[0] == 0)
        {
            var path = TensorElements.MemberPath(source, spec.Name);
            throw Error(source, 
                modelName,
                path,
                $"{context}'{path}' has no rows (shape {TensorElements.FormatShape(shape)}): send at least one row to input '{spec.Name}' ({spec}), such as [[…]].");
        }

        if (shape.Length != spec.Rank)
        {
            var path = TensorElements.MemberPath(source, spec.Name);
            var hint = shape.Length + 1 == spec.Rank && spec.HasBatchDimension ? " For a single row, wrap it in one more array: [[…]]." : string.Empty;
            throw Error(source, 
                modelName,
                path,
                $"{context}'{path}' has rank {shape.Length} (shape {TensorElements.FormatShape(shape)}), but input '{spec.Name}' ({spec}) has rank {spec.Rank}.{hint}");
        }

        for (var d = 0; d < shape.Length; d++)
        {
            var expected = spec.Dimensions[d];
            if (expected >= 0 && shape[d] != expected)
            {
                var path = TensorElements.MemberPath(source, spec.Name);
                throw Error(source, 
                    modelName,
                    path,
                    $"{context}'{path}' has shape {TensorElements.FormatShape(shape)}, but input '{spec.Name}' ({spec}) needs size {expected} in dimension {d}.");
            }
        }
    }

    /// <summary>Dynamic dimensions with the same name (such as the batch dimension N) must have the same size in every input; returns the number of rows.</summary>
    private static long CheckSharedDimensions(string modelName, ModelSignature signature, TensorInputs bound, string source, string context)
    {
        var inputs = signature.Inputs;
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
                        if (inputs[j].DimensionNames[e] == symbol && bound.ShapeArray(j)[e] != bound.ShapeArray(i)[d])
                        {
                            var first = TensorElements.MemberPath(source, inputs[i].Name);
                            var second = TensorElements.MemberPath(source, inputs[j].Name);
                            throw Error(source, 
                                modelName,
                                second,
                                string.Create(CultureInfo.InvariantCulture, $"{context}'{second}' has size {bound.ShapeArray(j)[e]} in dimension {e} ('{symbol}'), but '{first}' has {bound.ShapeArray(i)[d]} in dimension {d}; inputs that share the dimension '{symbol}' must agree."));
                        }
                    }
                }
            }
        }

        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].HasBatchDimension)
            {
                return bound.ShapeArray(i)[0];
            }
        }

        return 1;
    }

    private static (Array Values, bool Rented) Convert(string modelName, TensorSpec spec, Tensor tensor, string source, string context)
    {
        var target = spec.ElementType;
        if (tensor.ElementType == target)
        {
            return (tensor.Values, false);
        }

        if (tensor.Length == 0)
        {
            return (TensorInputs.Rent(target, 0), true);
        }

        if (!TensorElements.IsNumber(tensor.ElementType) || !TensorElements.IsNumber(target))
        {
            var path = TensorElements.MemberPath(source, spec.Name);
            var got = TensorElements.IsNumber(tensor.ElementType) ? "numbers" : TensorElements.Kind(tensor.ElementType);
            throw Error(source, modelName, path, $"{context}'{path}' must hold {TensorElements.Kind(target)} for input '{spec.Name}' ({spec}), not {got}.");
        }

        var length = tensor.Length;
        var values = TensorInputs.Rent(target, length);
        try
        {
            switch (values)
            {
                case float[] floats:
                    ToSingles(tensor.Values, floats.AsSpan(0, length));
                    break;
                case double[] doubles:
                    ToDoubles(tensor.Values, doubles.AsSpan(0, length));
                    break;
                case long[] longs:
                    for (var i = 0; i < length; i++)
                    {
                        longs[i] = ReadInteger(modelName, spec, tensor, source, context, i, long.MinValue, long.MaxValue);
                    }

                    break;
                default:
                    var ints = (int[])values;
                    for (var i = 0; i < length; i++)
                    {
                        ints[i] = (int)ReadInteger(modelName, spec, tensor, source, context, i, int.MinValue, int.MaxValue);
                    }

                    break;
            }
        }
        catch
        {
            TensorInputs.Return(values);
            throw;
        }

        return (values, true);
    }

    private static void ToSingles(Array source, Span<float> destination)
    {
        switch (source)
        {
            case double[] d:
                for (var i = 0; i < destination.Length; i++)
                {
                    destination[i] = (float)d[i];
                }

                break;
            case long[] l:
                for (var i = 0; i < destination.Length; i++)
                {
                    destination[i] = l[i];
                }

                break;
            default:
                var n = (int[])source;
                for (var i = 0; i < destination.Length; i++)
                {
                    destination[i] = n[i];
                }

                break;
        }
    }

    private static void ToDoubles(Array source, Span<double> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            // Each arm widens to double itself: a switch of float, long and int would go through float.
            destination[i] = source switch
            {
                float[] f => (double)f[i],
                long[] l => (double)l[i],
                _ => (double)((int[])source)[i],
            };
        }
    }

    private static long ReadInteger(string modelName, TensorSpec spec, Tensor tensor, string source, string context, int index, long min, long max)
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
                var number = tensor.Values is double[] doubles ? doubles[index] : ((float[])tensor.Values)[index];

                // 2^63 is exactly representable, so '< 2^63' is the precise upper bound for long.
                if (number != Math.Floor(number) || number < -9.2233720368547758E18 || number >= 9.2233720368547758E18)
                {
                    var path = TensorElements.ElementPath(TensorElements.MemberPath(source, spec.Name), tensor.ShapeArray, index);
                    throw Error(source, 
                        modelName,
                        path,
                        string.Create(CultureInfo.InvariantCulture, $"{context}'{path}' is {number:R}, but input '{spec.Name}' ({spec}) takes integers{(number == Math.Floor(number) ? $" from {min} to {max}" : string.Empty)}."));
                }

                value = (long)number;
                break;
        }

        if (value < min || value > max)
        {
            var path = TensorElements.ElementPath(TensorElements.MemberPath(source, spec.Name), tensor.ShapeArray, index);
            throw Error(source, 
                modelName,
                path,
                string.Create(CultureInfo.InvariantCulture, $"{context}'{path}' is {value}, which is out of range for input '{spec.Name}' ({spec}): it takes integers from {min} to {max}."));
        }

        return value;
    }

    /// <summary>One row given by column name (<c>{"age": 41, "income": 5.2}</c>) for an input that names its columns.</summary>
    private static TensorInputs BindColumns(string modelName, ModelSignature signature, IReadOnlyList<string> columns, Tensors features, string context)
    {
        var spec = signature.Inputs[0];
        var source = features.SourcePath;
        var expected = string.Join(", ", columns);
        for (var i = 0; i < features.Count; i++)
        {
            if (!columns.Contains(features.NameAt(i), StringComparer.Ordinal))
            {
                var path = TensorElements.MemberPath(source, features.NameAt(i));
                throw Error(source, 
                    modelName,
                    path,
                    $"{context}'{path}' is not a feature of model '{modelName}'; its features are: {expected} (or send rows as {{\"{spec.Name}\": [[…]]}}).");
            }
        }

        var missing = columns.Where(c => features.IndexOf(c) < 0).ToArray();
        if (missing.Length > 0)
        {
            throw Error(source, 
                modelName,
                source,
                $"{context}'{source}' lacks the feature{(missing.Length == 1 ? string.Empty : "s")} {string.Join(", ", missing)} of model '{modelName}'; its features are: {expected}.");
        }

        var shape = new long[spec.Rank];
        for (var d = 0; d < shape.Length; d++)
        {
            shape[d] = spec.Dimensions[d] < 0 ? 1 : spec.Dimensions[d];
        }

        var row = new Tensors(1) { SourcePath = source };
        var values = new double[columns.Count];
        for (var c = 0; c < columns.Count; c++)
        {
            var tensor = features[columns[c]];
            if (tensor.Rank != 0 || !TensorElements.IsNumber(tensor.ElementType))
            {
                var path = TensorElements.MemberPath(source, columns[c]);
                throw Error(source, modelName, path, $"{context}'{path}' must be a single number, not {(tensor.Rank != 0 ? "an array" : TensorElements.Kind(tensor.ElementType))}.");
            }

            values[c] = tensor.Values switch
            {
                long[] l => l[0],
                int[] n => n[0],
                float[] f => f[0],
                _ => ((double[])tensor.Values)[0],
            };
        }

        row.AddUnchecked(spec.Name, Tensor.CreateUnchecked(values, shape));
        return Bind(modelName, signature, row, context);
    }
}
