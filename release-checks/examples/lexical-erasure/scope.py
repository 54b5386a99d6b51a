# Names the defender never saw: INLP fitted on half the names, probe trained and tested on the other half, with those rows
# left as they were (associated scope) or projected too (vocabulary scope). As embprobe.py.
exec(open('embprobe2.py').read().split("rng=np.random")[0])
rng=np.random.default_rng(5)
E=load('pretrained.safetensors','embeddings.word_embeddings.weight').astype(np.float64); X=E[ids]
res={'associated':[], 'vocabulary':[], 'none':[]}
for rep in range(5):
    perm=rng.permutation(len(y)); D,U=perm[:len(y)//2],perm[len(y)//2:]
    Q=inlp_dirs(X[D],y[D],14); mu=X[D].mean(0)
    XU={'none':X[U],'associated':X[U],'vocabulary':X[U]-((X[U]-mu)@Q.T)@Q}
    for k,Xu in XU.items():
        accs=[]
        for r in range(4):
            p=rng.permutation(len(U)); a,b=p[:len(U)//2],p[len(U)//2:]
            Xs=(Xu-Xu[a].mean(0))/Xu[a].std(); w,bb=logreg(Xs[a],y[U][a]); accs.append(((Xs[b]@w+bb>0)==y[U][b]).mean())
        res[k].append(np.mean(accs))
for k,v in res.items(): print(k, round(float(np.mean(v)),3), [round(float(x),3) for x in v])
