using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using LyftServing.OnnxRuntime.Internal;

namespace LyftServing.OnnxRuntime;

/// <summary>
/// Named tensors: the untyped features (input name → tensor) and outputs (output name → tensor)
/// of an ONNX model served by the <c>onnx</c> runtime.
/// </summary>
/// <remarks>
/// <para>
/// As JSON it is an object of name → nested array: <c>{"x": [[0.5, 1, 2, 3]], "category": [[4]]}</c>.
/// The model checks the features against its inputs (names, element types, ranks and fixed
/// dimensions) and reports a mismatch as a <see cref="ModelFeaturesException"/> naming the input.
/// </para>
/// <para>Not thread-safe while tensors are being added; safe to read from many threads afterwards. Names are case-sensitive.</para>
/// </remarks>
[JsonConverter(typeof(OnnxTensorsJsonConverter))]
[SuppressMessage("Naming", "CA1710", Justification = "Named after what it holds, like HttpHeaders; 'OnnxTensorDictionary' reads worse in features types.")]
public sealed class OnnxTensors : IReadOnlyDictionary<string, OnnxTensor>
{
    private readonly Dictionary<string, OnnxTensor> _tensors;

    /// <summary>Creates an empty set; add tensors with <see cref="Add"/> or a collection initializer.</summary>
    public OnnxTensors()
    {
        _tensors = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
    }

    internal OnnxTensors(int capacity)
    {
        _tensors = new Dictionary<string, OnnxTensor>(capacity, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public int Count => _tensors.Count;

    /// <inheritdoc />
    public IEnumerable<string> Keys => _tensors.Keys;

    /// <inheritdoc />
    public IEnumerable<OnnxTensor> Values => _tensors.Values;

    /// <summary>Gets the tensor with a name.</summary>
    /// <param name="key">The input or output name.</param>
    /// <returns>The tensor.</returns>
    /// <exception cref="KeyNotFoundException">No tensor has this name.</exception>
    public OnnxTensor this[string key] =>
        _tensors.TryGetValue(key, out var tensor)
            ? tensor
            : throw new KeyNotFoundException($"There is no tensor named '{key}'; the names are: {string.Join(", ", _tensors.Keys)}.");

    /// <summary>Adds a tensor.</summary>
    /// <param name="name">The input or output name.</param>
    /// <param name="tensor">The tensor.</param>
    /// <exception cref="ArgumentException">A tensor with this name was already added.</exception>
    public void Add(string name, OnnxTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(tensor);
        if (!_tensors.TryAdd(name, tensor))
        {
            throw new ArgumentException($"A tensor named '{name}' was already added.", nameof(name));
        }
    }

    /// <inheritdoc />
    public bool ContainsKey(string key) => _tensors.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out OnnxTensor value) => _tensors.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, OnnxTensor>> GetEnumerator() => _tensors.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
