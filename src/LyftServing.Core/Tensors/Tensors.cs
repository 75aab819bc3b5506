using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using LyftServing.Internal;

namespace LyftServing;

/// <summary>
/// Named tensors: the features (input name → tensor) and outputs (output name → tensor) of a
/// model served by a tensor runtime, whatever the framework.
/// </summary>
/// <remarks>
/// <para>
/// As JSON it is an object of name → nested array: <c>{"x": [[0.5, 1, 2, 3]], "category": [[4]]}</c>.
/// A model checks the features against its <see cref="ModelSignature"/> (names, element types,
/// ranks and fixed dimensions) and reports a mismatch as a <see cref="ModelFeaturesException"/>
/// naming the input and its JSON path.
/// </para>
/// <para>Names are case-sensitive and kept in the order they were added. Not thread-safe while tensors are being added; safe to read from many threads afterwards.</para>
/// </remarks>
[JsonConverter(typeof(TensorsJsonConverter))]
[SuppressMessage("Naming", "CA1710", Justification = "Named after what it holds, like HttpHeaders; 'TensorDictionary' reads worse in features types.")]
public sealed class Tensors : IReadOnlyDictionary<string, Tensor>
{
    private string[] _names;
    private Tensor[] _tensors;
    private int _count;

    /// <summary>Creates an empty set; add tensors with <see cref="Add"/> or a collection initializer.</summary>
    public Tensors()
        : this(4)
    {
    }

    internal Tensors(int capacity)
    {
        _names = new string[Math.Max(capacity, 1)];
        _tensors = new Tensor[_names.Length];
    }

    /// <inheritdoc />
    public int Count => _count;

    /// <inheritdoc />
    public IEnumerable<string> Keys => _names.Take(_count);

    /// <inheritdoc />
    public IEnumerable<Tensor> Values => _tensors.Take(_count);

    /// <summary>
    /// Gets the JSON path these tensors were read from (<c>$.features</c> for the features of an
    /// HTTP request), or <c>$</c>: the root of the paths in errors about them.
    /// </summary>
    internal string SourcePath { get; set; } = "$";

    /// <summary>Gets the tensor with a name.</summary>
    /// <param name="key">The input or output name.</param>
    /// <returns>The tensor.</returns>
    /// <exception cref="KeyNotFoundException">No tensor has this name.</exception>
    public Tensor this[string key] =>
        TryGetValue(key, out var tensor)
            ? tensor
            : throw new KeyNotFoundException($"There is no tensor named '{key}'; the names are: {string.Join(", ", Keys)}.");

    /// <summary>Adds a tensor.</summary>
    /// <param name="name">The input or output name.</param>
    /// <param name="tensor">The tensor.</param>
    /// <exception cref="ArgumentException">A tensor with this name was already added.</exception>
    public void Add(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(tensor);
        if (IndexOf(name) >= 0)
        {
            throw new ArgumentException($"A tensor named '{name}' was already added.", nameof(name));
        }

        AddUnchecked(name, tensor);
    }

    /// <inheritdoc />
    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out Tensor value)
    {
        var index = IndexOf(key);
        value = index >= 0 ? _tensors[index] : null;
        return value is not null;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator()
    {
        for (var i = 0; i < _count; i++)
        {
            yield return new KeyValuePair<string, Tensor>(_names[i], _tensors[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal string NameAt(int index) => _names[index];

    internal Tensor TensorAt(int index) => _tensors[index];

    internal void AddUnchecked(string name, Tensor tensor)
    {
        if (_count == _names.Length)
        {
            Array.Resize(ref _names, _count * 2);
            Array.Resize(ref _tensors, _count * 2);
        }

        _names[_count] = name;
        _tensors[_count++] = tensor;
    }

    /// <summary>Finds a name: a linear search, which for the few inputs of a model beats hashing.</summary>
    internal int IndexOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(_names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
