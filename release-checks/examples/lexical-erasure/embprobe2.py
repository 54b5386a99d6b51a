# INLP directions fitted on the training names, then a fresh probe on held-out names, by rank (session 19). As embprobe.py.
exec(open('embprobe.py').read().split("for label,path")[0])
def inlp_dirs(X, y, k):
    P=np.eye(X.shape[1]); D=[]
    Xs=(X-X.mean(0))/X.std()
    for i in range(k):
        w,b=logreg(Xs@P,y); w=P@w; w/=np.linalg.norm(w); D.append(w); P=P-np.outer(w,w)
    return np.array(D)
rng=np.random.default_rng(1)
E=load('pretrained.safetensors','embeddings.word_embeddings.weight'); X=E[ids]
for k in [0,1,2,4,8,16,32]:
    accs=[]
    for r in range(6):
        perm=rng.permutation(len(y)); kk=int(0.3*len(y)); te,tr=perm[:kk],perm[kk:]
        Xp=X.copy()
        if k: D=inlp_dirs(X[tr],y[tr],k); Xp=Xp-(Xp@D.T)@D   # directions from the train fold only
        Xs=(Xp-Xp[tr].mean(0))/Xp[tr].std(); w,b=logreg(Xs[tr],y[tr]); accs.append(((Xs[te]@w+b>0)==y[te]).mean())
    print(k, round(float(np.mean(accs)),3))
